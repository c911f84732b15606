# chain link 10
include chain/11
