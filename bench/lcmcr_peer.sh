#!/usr/bin/env bash
# LCMCR (R) beside kith's latent-class sampler, in the same run, on Kosovo
# with K = 10, one chain, a = b = 0.25: sweeps per second of wall time and
# per CPU second (the machine is shared; CPU time is the fairer figure).
# LCMCR is not part of kith: install it yourself (R CMD INSTALL -l LIB
# LCMCR_0.4.14.tar.gz, or from CRAN) and give LIB as R_LIBS.
#   R_LIBS=/path/to/lib bench/lcmcr_peer.sh [BUILD_DIR] [SHARED_DIR]
set -eu
build=${1:-build/release}
shared=${2:-${KITH_SHARED:-../shared}}
command -v Rscript >/dev/null || { echo "lcmcr_peer: no Rscript" >&2; exit 2; }
Rscript - <<'R'
suppressMessages(library(LCMCR))
data(kosovo_aggregate)
burn <- 20000; samples <- 8000; thin <- 10
o <- lcmCR(kosovo_aggregate, tabular = FALSE, K = 10, a_alpha = 0.25, b_alpha = 0.25, seed = 1,
           buffer_size = 10000, thinning = thin, verbose = FALSE)
t <- system.time(s <- lcmCR_PostSampl(o, burnin = burn, samples = samples, thinning = thin, output = FALSE))
n <- burn + samples * thin
cat(sprintf("LCMCR %s Kosovo  K=10, one chain: %.0f sweeps/s (%.0f per CPU second); median N %.0f\n",
            as.character(packageVersion("LCMCR")), n / t[["elapsed"]], n / t[["user.self"]], median(s)))
R
"$build/bench_estimate" "$shared" | grep '^Kosovo *latent'
