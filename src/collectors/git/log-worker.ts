import { parentPort, workerData } from "node:worker_threads";
import { type ProducerParams, produce } from "./log-producer.js";

// Worker-thread entry: the producer's port is the thread's own.
if (parentPort) await produce(workerData as ProducerParams, parentPort);
