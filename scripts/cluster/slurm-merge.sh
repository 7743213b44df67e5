#!/bin/sh
# The merge job after the array (slurm-array.sh): the summary of every
# task's JSON Lines, as one run over all the captures would print it, in
# $TLSX_OUT/summary.txt; the job's exit status is that run's (0, 1 or 2).
#SBATCH --job-name=tlsexplain-merge
#SBATCH --ntasks=1
set -u
: "${TLSX_OUT:?the folder of the JSON Lines}"
TLSEXPLAIN=${TLSEXPLAIN:-tlsexplain}
"$TLSEXPLAIN" --merge "$TLSX_OUT"/[0-9]*.jsonl > "$TLSX_OUT/summary.txt"
