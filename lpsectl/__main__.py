from lpsectl.launch import main

main()
