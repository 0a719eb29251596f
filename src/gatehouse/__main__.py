from gatehouse.cli import main

main()
