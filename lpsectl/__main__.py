from lpsectl.cli import main

main()
