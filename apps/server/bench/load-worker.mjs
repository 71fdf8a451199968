// Runs one autocannon load in a worker thread, so the load generator does not share the event loop
// of the servers under test. Latencies are taken from each response (sub-millisecond precision).
import { parentPort, workerData } from "node:worker_threads";
import autocannon from "autocannon";

const { url, headers, connections, seconds } = workerData;
const latencies = [];
const instance = autocannon({ url, headers, connections, duration: seconds, pipelining: 1 });
instance.on("response", (_client, statusCode, _bytes, responseTime) => {
  if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
});
const result = await instance;
const samples = Float64Array.from(latencies);
parentPort.postMessage({ failed: result.non2xx + result.errors + result.timeouts, seconds: result.duration, latencies: samples }, [samples.buffer]);
