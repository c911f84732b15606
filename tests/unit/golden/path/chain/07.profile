# chain link 07
include chain/08
