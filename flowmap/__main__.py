from flowmap.entry import run

run()
