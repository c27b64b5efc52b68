"""Gloo (torch.distributed) and Open MPI (mpi4py) all-reduce, timed as `longhaul bench allreduce` times
its own: per size a warm-up, then iterations each started after a barrier, an iteration's time is the
slowest rank's, the figure is the median; busbw = 2(p-1)/p * bytes / time. fp32, sum.

  gloo: python3 allreduce_reference.py gloo --ranks 4 --sizes 4096,67108864
        (starts its own ranks: one process each, rendezvous on 127.0.0.1:--port)
  mpi:  mpirun -n 4 --oversubscribe [--mca btl self,tcp | --mca btl self,vader] \\
            python3 allreduce_reference.py mpi --sizes 4096,67108864
Prints one JSON line per size on rank 0: {"backend","bytes","iters","medianUs","busbwGBs","wrong"}.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("backend", choices=["gloo", "mpi"])
    p.add_argument("--ranks", type=int, default=4)
    p.add_argument("--sizes", default="4096,67108864", help="bytes, comma-separated")
    p.add_argument("--min-time", type=float, default=1.0, help="seconds of timed iterations per size (and as much warm-up)")
    p.add_argument("--max-iters", type=int, default=10000)
    p.add_argument("--iters", type=int, default=0, help="exactly this many timed iterations (and as many warm-up) instead of --min-time")
    p.add_argument("--port", type=int, default=28290)
    return p.parse_args()


class Gloo:
    def __init__(self, args):
        import torch
        import torch.distributed as dist
        self.torch, self.dist = torch, dist
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{args.port}",
                                rank=int(os.environ["RANK"]), world_size=int(os.environ["WORLD_SIZE"]))
        self.rank, self.size = dist.get_rank(), dist.get_world_size()

    def buffer(self, count):
        return self.torch.zeros(count, dtype=self.torch.float32)

    def fill(self, buf, value):
        buf.fill_(value)

    def allreduce(self, buf):
        self.dist.all_reduce(buf)

    def barrier(self):
        self.dist.barrier()

    def max_all(self, values):
        t = self.torch.tensor(values, dtype=self.torch.float64)
        self.dist.all_reduce(t, op=self.dist.ReduceOp.MAX)
        return t.tolist()

    def first(self, buf):
        return buf.numpy()


class Mpi:
    def __init__(self, args):
        from mpi4py import MPI
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()

    def buffer(self, count):
        return np.zeros(count, dtype=np.float32)

    def fill(self, buf, value):
        buf.fill(value)

    def allreduce(self, buf):
        self.comm.Allreduce(self.MPI.IN_PLACE, buf, op=self.MPI.SUM)

    def barrier(self):
        self.comm.Barrier()

    def max_all(self, values):
        out = np.zeros(len(values), dtype=np.float64)
        self.comm.Allreduce(np.array(values, dtype=np.float64), out, op=self.MPI.MAX)
        return out.tolist()

    def first(self, buf):
        return buf


def timed(b, buf, iters):
    times = []
    for _ in range(iters):
        b.fill(buf, b.rank + 1)
        b.barrier()
        t = time.perf_counter()
        b.allreduce(buf)
        times.append(time.perf_counter() - t)
    return times


def run(args):
    b = Gloo(args) if args.backend == "gloo" else Mpi(args)
    expected = b.size * (b.size + 1) / 2
    for nbytes in [int(s) for s in args.sizes.split(",")]:
        buf = b.buffer(nbytes // 4)
        one = max(b.max_all(timed(b, buf, 2)))
        fit = args.iters or int(min(args.max_iters, max(1, args.min_time / max(one, 1e-6))))
        timed(b, buf, fit)  # warm-up as long as the timed part
        times = b.max_all(timed(b, buf, fit))  # per iteration, the slowest rank's time
        wrong = int(np.count_nonzero(b.first(buf) != expected))
        wrong = int(b.max_all([wrong])[0])
        med = statistics.median(times)
        if b.rank == 0:
            busbw = 2 * (b.size - 1) / b.size * nbytes / med / 1e9
            print(json.dumps({"backend": args.backend, "bytes": nbytes, "iters": fit, "medianUs": round(med * 1e6, 1),
                              "busbwGBs": round(busbw, 3), "wrong": wrong}), flush=True)


def spawn_gloo(args):
    procs = []
    for rank in range(args.ranks):
        env = dict(os.environ, RANK=str(rank), WORLD_SIZE=str(args.ranks), LONGHAUL_REFERENCE_CHILD="1")
        procs.append(subprocess.Popen([sys.executable, *sys.argv], env=env))
    codes = [p.wait() for p in procs]
    sys.exit(max(codes))


if __name__ == "__main__":
    a = parse_args()
    if a.backend == "gloo" and not os.environ.get("LONGHAUL_REFERENCE_CHILD"):
        spawn_gloo(a)
    else:
        run(a)
