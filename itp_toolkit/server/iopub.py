"""What a page kernel's IOPub socket is set to, shared by the spec side (``page_kernel``) and the kernel's
own process (``kernel_process``) without importing ipykernel."""

IOPUB_HWM = 100_000
"""Messages the kernel's IOPub socket may hold for a slow reader (ZeroMQ's default: 1,000). A full plan opens
with about 1,500; a few of those at once per kernel is the most a page sends."""
HWM_VAR = "ITP_IOPUB_HWM"
"""Environment variable overriding ``IOPUB_HWM`` in the kernel (docs/deploy.md's measurement sets 1000)."""
SEQ_VAR = "ITP_IOPUB_SEQ"
SEQ_HEADER = "itp_iopub_seq"
