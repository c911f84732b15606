# chain link 09
include chain/10
