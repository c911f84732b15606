# chain link 12
include chain/13
