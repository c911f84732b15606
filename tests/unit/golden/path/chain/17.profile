# chain link 17
include chain/18
