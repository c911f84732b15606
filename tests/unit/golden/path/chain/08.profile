# chain link 08
include chain/09
