# chain link 01
include chain/02
