# chain link 06
include chain/07
