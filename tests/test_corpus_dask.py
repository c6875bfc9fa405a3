"""The Dask executor against a LocalCluster on 127.0.0.1: same results in the store as the local pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import main

from .corpus_util import QUICK, results, sample_folder

distributed = pytest.importorskip("distributed", reason="dask.distributed not installed (pip install 'extractor[dask]')")


def test_dask_local_cluster_run_equals_local_run(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK)
    (src / "notes.pdf").write_text("not a report", encoding="utf-8")
    local, remote = tmp_path / "local", tmp_path / "dask"
    assert CliRunner().invoke(main, ["batch", str(src), "--out", str(local), "--jobs", "2"]).exit_code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        res = CliRunner().invoke(main, ["batch", str(src), "--out", str(remote), "--executor", "dask",
                                        "--scheduler", cluster.scheduler_address])
    assert res.exit_code == 0, res.output
    assert results(remote) == results(local)
    assert (remote / "figures.csv").read_bytes() == (local / "figures.csv").read_bytes()
    from extractor.corpus.store import Store

    with Store(remote) as s:
        run = s.latest_run()
        assert run is not None
        workers = {r["worker"] for r in s.stats(run.config)}
    assert all(w.startswith("dask:") for w in workers)
