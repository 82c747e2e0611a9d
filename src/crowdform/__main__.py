"""``python -m crowdform`` is the ``crowdform`` command."""

from crowdform.cli.main import main

main()
