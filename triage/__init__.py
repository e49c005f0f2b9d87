"""triage: postmortem toolkit for crashed Node.js processes.

Data flows one way: artifact -> loader -> crash model / heap graph ->
analyses -> summary -> redaction -> renderer. See docs/architecture.md.
"""

__version__ = "0.1.0"

from triage.kernel_cache import configure as _configure_kernel_cache  # noqa: E402
from triage.kernel_cache import skip_blas_probe as _skip_blas_probe  # noqa: E402

_configure_kernel_cache()  # before any numba import: a non-root user needs a writable cache
_skip_blas_probe()  # numba would import scipy.linalg (~0.25 s) to probe a BLAS we never use
