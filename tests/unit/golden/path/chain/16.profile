# chain link 16
include chain/17
