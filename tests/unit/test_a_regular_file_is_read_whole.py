"""A ticket file is read whole, in as few system calls as its size allows.

``read_regular`` stops after one ``read`` when that read gave the size
``fstat`` reported (no second ``read`` only to hear the end): every size
around the read's own chunk must still come back whole, and the limit hold.
"""

from __future__ import annotations

import os

import pytest

from lpsectl.regularfile import TooLarge, read_regular

SIZES = [0, 1, 723, 65535, 65536, 65537, 3 * 65536 + 5]


@pytest.mark.parametrize("size", SIZES)
def test_every_size_comes_back_whole_with_its_stamps(tmp_path, size):
    data = os.urandom(size)
    path = tmp_path / "t.yaml"
    path.write_bytes(data)
    got, st = read_regular(path, 1 << 20)
    assert got == data
    assert st.st_size == size


@pytest.mark.parametrize("size", [10, 65536, 65537])
def test_a_file_one_byte_past_the_limit_is_too_large(tmp_path, size):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"x" * (size + 1))
    with pytest.raises(TooLarge):
        read_regular(path, size)
    assert read_regular(path, size + 1)[0] == b"x" * (size + 1)
