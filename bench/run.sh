#!/usr/bin/env bash
# Runs one benchmark main class of this module: bench/run.sh SearchBench [-Dbench.sizes=1000,10000 ...]
# Builds the modules it needs into $MLV_BUILD_DIR (default target-bench), then runs the class with the JVM options given.
set -euo pipefail
cd "$(dirname "$0")/.."
main=${1:?usage: bench/run.sh <SearchBench|IngestBench> [-Dbench.option=value ...]}
shift
build=${MLV_BUILD_DIR:-target-bench}
if [ -z "${MLV_BENCH_NO_BUILD:-}" ] || [ ! -f "bench/$build/classpath.txt" ]; then  # MLV_BENCH_NO_BUILD=1 reuses the last build
  mvn -B -q ${MVN_OFFLINE:--o} -Dmlv.build.dir="$build" -pl bench -am test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
    -Dmdep.outputFile="$PWD/bench/$build/classpath.txt" >&2
fi
exec java -Xmx2g -Dlogback.configurationFile=bench/logback-bench.xml -Dbench.log="bench/$build/bench.log" \
  -Dbench.dir="bench/$build" "$@" \
  -cp "bench/$build/classes:$(cat "bench/$build/classpath.txt")" "dev.mlv.bench.$main"
