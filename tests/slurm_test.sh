#!/bin/sh
# The Slurm recipe of the README on a single-node Slurm started here: munged,
# slurmctld and slurmd (Debian's slurm-wlm and munge) with a minimal
# slurm.conf on this machine, their own key, socket, ports and folders in a
# temporary folder; stopped by their process ids at the end. The job array
# (scripts/cluster/slurm-array.sh, one task per capture) and the merge job
# after it (scripts/cluster/slurm-merge.sh) must print the summary one local
# run over the same captures prints, and exit as it does.
# Ends with the line "slurm: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
TOOL=${TLSEXPLAIN:-$ROOT/tlsexplain}
case $TOOL in /*) ;; *) TOOL=$ROOT/$TOOL ;; esac
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -40; }
finish() { echo "slurm: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

for b in munged slurmctld slurmd sbatch sinfo; do
    if ! command -v $b >/dev/null 2>&1; then
        bad "$b is installed (apt-get install slurm-wlm munge)"
        finish
    fi
done

T=$(mktemp -d /tmp/tlsx-slurm.XXXXXX)
chmod 755 "$T"
PIDS=""
stop() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    sleep 1
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap stop EXIT INT TERM

# a free pair of ports for slurmctld and slurmd
port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
host=$(hostname -s)
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/out"
chmod 700 "$T/munge"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$T/munge/munge.key"
munged --force --foreground --key-file="$T/munge/munge.key" --socket="$T/munge/sock" \
    --pid-file="$T/munge/pid" --log-file="$T/munge/log" --seed-file="$T/munge/seed" \
    >/dev/null 2>&1 &
PIDS="$PIDS $!"

cat > "$T/slurm.conf" <<EOF
ClusterName=tlsx
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/sock
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=tlsx Nodes=ALL Default=YES MaxTime=10 State=UP
EOF
export SLURM_CONF="$T/slurm.conf"
sleep 1
slurmctld -D -i -f "$SLURM_CONF" >"$T/slurmctld.out" 2>&1 &
PIDS="$PIDS $!"
slurmd -D -f "$SLURM_CONF" >"$T/slurmd.out" 2>&1 &
PIDS="$PIDS $!"

up=no
for _ in $(seq 60); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix)'; then up=yes; break; fi
    sleep 1
done
if [ $up = yes ]; then
    ok "single-node Slurm is up"
else
    bad "single-node Slurm is up" "$(tail -5 "$T/slurmctld.log" "$T/slurmd.log" 2>&1)"
    finish
fi

# the captures: failures and successes, a corpus capture, a compressed one
ls "$ROOT"/test-captures/fail/*.pcap | head -12 > "$T/captures.list"
ls "$ROOT"/test-captures/basic/*.pcap | head -4 >> "$T/captures.list"
[ -f ../shared/corpus/zeek/tls-1.2-handshake-failure.pcap ] &&
    echo "$ROOT/../shared/corpus/zeek/tls-1.2-handshake-failure.pcap" >> "$T/captures.list"
gzip -c "$ROOT/test-captures/fail/no-shared-group.pcap" > "$T/case.pcap.gz"
echo "$T/case.pcap.gz" >> "$T/captures.list"
editcap -r "$ROOT/test-captures/fail/no-fs-suite.pcap" "$T/ok.pcap" 1-72
editcap -r "$ROOT/test-captures/fail/no-fs-suite.pcap" "$T/fail.pcap" 73-1000
echo "$T/ok.pcap" >> "$T/captures.list"
echo "$T/fail.pcap" >> "$T/captures.list"
n=$(wc -l < "$T/captures.list")

export TLSEXPLAIN="$TOOL" TLSX_LIST="$T/captures.list" TLSX_OUT="$T/out"
id=$(cd "$T" && timeout 30 sbatch --parsable --array=0-$((n - 1)) --output=/dev/null \
    --export=ALL "$ROOT/scripts/cluster/slurm-array.sh" 2>&1)
case $id in
    '' | *[!0-9]*) bad "the job array is accepted" "$id"; finish ;;
esac
ok "the job array of $n tasks is accepted"
(cd "$T" && timeout 180 sbatch --wait --dependency=afterok:"$id" --output=/dev/null \
    --export=ALL "$ROOT/scripts/cluster/slurm-merge.sh" >"$T/merge.out" 2>&1)
merge_rc=$?
parts=$(ls "$T/out"/[0-9]*.jsonl 2>/dev/null | wc -l)
[ "$parts" = "$n" ] && ok "every task wrote its JSON Lines ($parts)" ||
    bad "every task wrote its JSON Lines" "$parts of $n; $(cat "$T/merge.out")"

"$TOOL" -s $(cat "$T/captures.list") > "$T/local.txt"
local_rc=$?
if [ -s "$T/out/summary.txt" ] && cmp -s "$T/local.txt" "$T/out/summary.txt"; then
    ok "the merged summary equals one local run"
else
    bad "the merged summary equals one local run" \
        "$(diff "$T/local.txt" "$T/out/summary.txt" 2>&1; cat "$T/merge.out")"
fi
# sbatch --wait exits with the job's status: the run's 1 (a handshake failed)
[ "$merge_rc" = "$local_rc" ] && ok "the merge job exits as the local run ($local_rc)" ||
    bad "the merge job exits as the local run" "merge $merge_rc, local $local_rc"
grep -q "no_shared_group" "$T/out/summary.txt" &&
    ok "the compressed capture is in the merged summary" ||
    bad "the compressed capture is in the merged summary"

# the same parts judged together (--context batch): the merge job's summary
# and diagnoses equal one local --context batch run's; ok.pcap and fail.pcap
# (one server's successes and its refusal) make the context matter
(cd "$T" && timeout 180 sbatch --wait --output=/dev/null --export=ALL,TLSX_CONTEXT=batch \
    "$ROOT/scripts/cluster/slurm-merge.sh" >"$T/merge-batch.out" 2>&1)
batch_rc=$?
"$TOOL" --context batch -s $(cat "$T/captures.list") > "$T/local-batch.txt"
local_batch_rc=$?
"$TOOL" --context batch --json $(cat "$T/captures.list") > "$T/local-batch.jsonl"
if [ -s "$T/out/summary.txt" ] && cmp -s "$T/local-batch.txt" "$T/out/summary.txt" &&
    cmp -s "$T/local-batch.jsonl" "$T/out/diagnoses.jsonl"; then
    ok "--context batch: the merge job's summary and diagnoses equal one local run"
else
    bad "--context batch: the merge job's summary and diagnoses equal one local run" \
        "$(diff "$T/local-batch.txt" "$T/out/summary.txt" 2>&1 | head; cat "$T/merge-batch.out")"
fi
[ "$batch_rc" = "$local_batch_rc" ] &&
    ok "--context batch: the merge job exits as the local run ($local_batch_rc)" ||
    bad "--context batch: the merge job exits as the local run" \
        "merge $batch_rc, local $local_batch_rc"
grep -q '"confidence":"high".*frame 6 of [^"]*/ok.pcap' "$T/out/diagnoses.jsonl" &&
    ok "--context batch: fail.pcap's refusal explained by frame 6 of ok.pcap" ||
    bad "--context batch: fail.pcap's refusal explained by frame 6 of ok.pcap"
finish
