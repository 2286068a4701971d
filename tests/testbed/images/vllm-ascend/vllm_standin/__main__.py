"""``python3 -m vllm_standin ...`` is the same as the ``vllm`` command of the image."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
