# chain link 02
include chain/03
