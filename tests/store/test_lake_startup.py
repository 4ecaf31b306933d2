"""Servers that start together on a new DuckLake catalog take turns creating it.

Without the advisory lock, two processes attaching a new catalog at once raced and one died
(``duplicate key value violates unique constraint "pg_type_typname_nsp_index"``), 1 run in 3.
"""

from __future__ import annotations

import os
import subprocess
import sys

from argmap.store import Store
from argmap.store._store import SCHEMA_VERSION

OPEN_AND_WRITE = """
import sys
from argmap.model import MapInfo
from argmap.store import Store
with Store(lake=sys.argv[1], data_path=sys.argv[2]) as s:
    s.create_map(MapInfo(id=sys.argv[3], title="Started together"))
"""


def test_four_processes_opening_a_new_catalog_at_once_all_start(postgres):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for _ in range(2):  # the race was lost 1 run in 3: twice, on two new catalogs
        catalog, data_path = postgres.new_lake()
        procs = [subprocess.Popen([sys.executable, "-c", OPEN_AND_WRITE, catalog, data_path, f"m{i}"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(4)]
        outcomes = [(p.wait(180), p.stderr.read().decode()[-2000:]) for p in procs]
        assert [code for code, _ in outcomes] == [0, 0, 0, 0], outcomes
        with Store(lake=catalog, data_path=data_path) as s:
            assert s.schema_version == SCHEMA_VERSION
            assert sorted(m.id for m in s.list_maps()) == ["m0", "m1", "m2", "m3"]
