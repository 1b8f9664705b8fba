"""Entry point of the frozen app (build.spec): the same launcher as the `countersign` script."""
import multiprocessing
import sys

if __name__ == "__main__":
    # The document parser runs in a spawned process; a frozen executable must hand such a child
    # to multiprocessing before anything else runs.
    multiprocessing.freeze_support()
    from desktop.launcher import main

    sys.exit(main())
