from beacon_qual.cli import main

main()
