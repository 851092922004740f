from flowmap.cli import main

main()
