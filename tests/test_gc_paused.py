"""omsorg.gc.gc_paused: the collector is off inside the block and back as it was after."""

import gc

import pytest

from omsorg.gc import gc_paused


def test_the_collector_is_off_inside_and_on_again_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_block_raises():
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("the report failed")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
