# chain link 04
include chain/05
