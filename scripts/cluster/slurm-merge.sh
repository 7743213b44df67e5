#!/bin/sh
# The merge job after the array (slurm-array.sh): the summary of every
# task's JSON Lines, as one run over all the captures would print it, in
# $TLSX_OUT/summary.txt; the job's exit status is that run's (0, 1 or 2).
# TLSX_CONTEXT=batch judges the captures together, as one --context batch
# run: its summary in summary.txt, every connection in diagnoses.jsonl.
#SBATCH --job-name=tlsexplain-merge
#SBATCH --ntasks=1
set -u
: "${TLSX_OUT:?the folder of the JSON Lines}"
TLSEXPLAIN=${TLSEXPLAIN:-tlsexplain}
context=${TLSX_CONTEXT:-file}
if [ "$context" = batch ]; then
    "$TLSEXPLAIN" --merge --context batch --json "$TLSX_OUT"/[0-9]*.jsonl \
        > "$TLSX_OUT/diagnoses.jsonl" || [ $? -le 1 ] || exit 2
fi
"$TLSEXPLAIN" --merge --context "$context" "$TLSX_OUT"/[0-9]*.jsonl > "$TLSX_OUT/summary.txt"
