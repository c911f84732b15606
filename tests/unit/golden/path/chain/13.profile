# chain link 13
include chain/14
