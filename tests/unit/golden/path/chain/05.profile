# chain link 05
include chain/06
