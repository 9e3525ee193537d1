"""onnxruntime running a model alone on random input (its own process, as onnxruntime is timed best
without torch loaded): prints "MEDIAN MEAN", ms per run. The mean (runs / total time) is the
throughput peer of a pipeline's steady-state frame rate, which also pays for every slow run.
Usage: ort_model.py MODEL THREADS RUNS"""
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

path, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
so = ort.SessionOptions()
so.intra_op_num_threads = threads
so.inter_op_num_threads = 1
so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
feeds = {i.name: np.random.rand(*i.shape).astype(np.float32) for i in s.get_inputs()}
for _ in range(5):
    s.run(None, feeds)
times = []
for _ in range(runs):
    t = time.perf_counter()
    s.run(None, feeds)
    times.append((time.perf_counter() - t) * 1e3)
print(f"{statistics.median(times):.3f} {statistics.fmean(times):.3f}")
