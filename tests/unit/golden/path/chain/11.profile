# chain link 11
include chain/12
