"""Input manifests, label category files and output manifest lines (spec sections 1 and 7.3).

Pure: these modules parse and build text; they never open files, call the network or read the clock.
"""
