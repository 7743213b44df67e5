#!/bin/sh
# Slurm job array: one task per capture. The list of captures is the file
# named by TLSX_LIST (one path a line); task i analyses line i+1 and writes
# the JSON Lines to $TLSX_OUT/NNNNNN.jsonl (zero-padded, so that the shell
# lists them in task order for the merge job, slurm-merge.sh). --facts keeps
# each connection's facts in them, so the merge job can judge the captures
# together (TLSX_CONTEXT=batch).
#   n=$(wc -l < captures.list)
#   id=$(sbatch --parsable --array=0-$((n - 1)) \
#        --export=ALL,TLSX_LIST=captures.list,TLSX_OUT=out scripts/cluster/slurm-array.sh)
#   sbatch --dependency=afterok:$id --export=ALL,TLSX_OUT=out,TLSX_CONTEXT=batch \
#        scripts/cluster/slurm-merge.sh
#SBATCH --job-name=tlsexplain
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
set -u
: "${TLSX_LIST:?the list of captures}" "${TLSX_OUT:?the folder for the JSON Lines}"
TLSEXPLAIN=${TLSEXPLAIN:-tlsexplain}
task=${SLURM_ARRAY_TASK_ID:?run as a Slurm job array}
capture=$(sed -n "$((task + 1))p" "$TLSX_LIST")
[ -n "$capture" ] || { echo "no line $((task + 1)) in $TLSX_LIST" >&2; exit 2; }
mkdir -p "$TLSX_OUT"
out=$(printf '%s/%06d.jsonl' "$TLSX_OUT" "$task")
"$TLSEXPLAIN" --json --facts --quiet "$capture" > "$out.part"
rc=$?
mv "$out.part" "$out"
# 1 only says a handshake failed: the task itself succeeded
[ "$rc" -le 1 ]
