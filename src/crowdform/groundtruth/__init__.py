"""Ground Truth's contracts: ARNs, the CreateLabelingJob request, hook events and replies, the files
of the output layout and their paths (spec sections 2, 3, 5.4, 6, 7, 8.2, 9).

Pure: these modules build and check values; they never open files, call the network or read the
clock (functions that need a time take it as an argument).
"""
