/**
 * The DataStream API that job modules import (StreamExecutionEnvironment,
 * DataStream, KeyedStream, sources, sinks). It arrives with the dataflow
 * issue; the package exists now so the workspace layout is complete.
 */
export {};
