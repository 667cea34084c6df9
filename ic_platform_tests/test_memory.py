import resource
import subprocess
import sys

from ic_platform.memory import peak_memory_gib

CHILD = (
    "import resource; from ic_platform.memory import peak_memory_gib; "
    "print(peak_memory_gib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20)"
)


def test_a_process_started_by_a_large_one_reports_its_own_peak_not_its_parents():
    ballast = b"x" * (600 * 2**20)  # the parent's peak is now above 0.6 GiB
    own, inherited = map(
        float, subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True).stdout.split()
    )
    del ballast
    assert inherited > 0.55  # ru_maxrss of the child starts at the parent's peak
    assert own < 0.3  # the child's own high-water mark: an interpreter and one module
    assert peak_memory_gib() >= resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
