# chain link 15
include chain/16
