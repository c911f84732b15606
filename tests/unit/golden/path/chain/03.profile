# chain link 03
include chain/04
