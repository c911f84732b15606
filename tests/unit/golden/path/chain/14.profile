# chain link 14
include chain/15
