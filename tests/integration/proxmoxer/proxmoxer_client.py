#!/usr/bin/env python3
"""A third-party client against rae-pve-sim: Debian's python3-proxmoxer.

Starts the simulator on a free port, then logs in with a token and with a password, lists
resources, creates and starts a VM, follows its task, migrates it and reads replication status.
Exits non-zero on the first thing that does not behave as on a real cluster.

usage: proxmoxer_client.py <rae-pve-sim> <scenario.yaml>
"""

import subprocess
import sys
import time

import urllib3
from proxmoxer import ProxmoxAPI
from proxmoxer.core import ResourceException

urllib3.disable_warnings()  # the simulator's certificate is self-signed; proxmoxer has no pinning

TOKEN_USER = "deployer@pve"
TOKEN_NAME = "app"
TOKEN_VALUE = "00000000-0000-4000-8000-00000000a001"  # test-only, from reference.yaml
PASSWORD = "sim-deployer-password-test-only"  # test-only, from reference.yaml


def start(simulator, scenario):
    process = subprocess.Popen(
        [simulator, "--scenario", scenario, "--port", "0", "--auth-failure-delay-ms", "200",
         "--time-scale", "20"],
        stdout=subprocess.PIPE, text=True)
    info = {}
    while "ready" not in info:
        line = process.stdout.readline()
        if not line:
            sys.exit("the simulator exited before it was ready")
        key, _, value = line.strip().partition(": ")
        info[key] = value
    return process, info


def wait_task(api, upid, timeout=60):
    node = upid.split(":")[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = api.nodes(node).tasks(upid).status.get()
        except ResourceException as error:
            # A real cluster answers 400 "no such task" for a moment after the UPID appears.
            if error.status_code == 400:
                time.sleep(0.2)
                continue
            raise
        if status["status"] == "stopped":
            return status
        time.sleep(0.3)
    sys.exit(f"task {upid} did not finish in {timeout} s")


def check(condition, message):
    if not condition:
        sys.exit("FAILED: " + message)
    print("ok -", message)


def main():
    simulator, scenario = sys.argv[1], sys.argv[2]
    process, info = start(simulator, scenario)
    try:
        port = int(info["port"])
        token = ProxmoxAPI("127.0.0.1", port=port, user=TOKEN_USER, token_name=TOKEN_NAME,
                           token_value=TOKEN_VALUE, verify_ssl=False)
        password = ProxmoxAPI("127.0.0.1", port=port, user=TOKEN_USER, password=PASSWORD,
                              verify_ssl=False)

        check(token.version.get()["release"] == "9.1", "token login reads /version")
        nodes = [r for r in token.cluster.resources.get(type="node")]
        check(len(nodes) == 3, "three nodes in /cluster/resources")
        check(len(password.nodes.get()) == 3, "password login lists /nodes")

        vmid = int(token.cluster.nextid.get())
        upid = token.nodes("pve1").qemu.post(
            vmid=vmid, name="proxmoxer-vm", memory=2048, cores=2, scsi0="ceph-vm:8",
            net0="virtio,bridge=vmbr1,tag=20", agent=1)
        check(wait_task(token, upid)["exitstatus"] == "OK", f"VM {vmid} created")

        upid = token.nodes("pve1").qemu(vmid).status.start.post()
        check(wait_task(token, upid)["exitstatus"] == "OK", "VM started")
        status = token.nodes("pve1").qemu(vmid).status.current.get()
        check(status["status"] == "running", "VM reports running")

        checks = token.nodes("pve1").qemu(vmid).migrate.get(target="pve2")
        check("pve2" in checks["allowed_nodes"], "pve2 is an allowed migration target")
        upid = token.nodes("pve1").qemu(vmid).migrate.post(target="pve2", online=1)
        check(wait_task(token, upid)["exitstatus"] == "OK", "online migration finished")
        moved = [r for r in token.cluster.resources.get(type="vm") if r["vmid"] == vmid]
        check(moved and moved[0]["node"] == "pve2", "the VM is on pve2 afterwards")

        try:
            token.nodes("pve1").qemu(vmid).status.current.get()
            check(False, "the old node no longer knows the VM")
        except ResourceException as error:
            # proxmoxer keeps the server's reason phrase, where Proxmox puts the message, in content.
            check(error.status_code == 500 and "does not exist" in error.content,
                  "the old node answers 500 'does not exist'")

        jobs = password.nodes("pve1").replication.get()
        check(len(jobs) == 1, "pve1 reports the replication job of VM 100")
        for job in jobs:
            check(all(k in job for k in ("last_sync", "next_sync", "fail_count")),
                  f"replication status of {job['id']} has last_sync/next_sync/fail_count")
        check(isinstance(token.nodes("pve2").replication.get(), list), "replication status reads")

        try:
            token.nodes("pve1").qemu.post(vmid=vmid + 1, bogus=1)
            check(False, "an unknown parameter is refused")
        except ResourceException as error:
            # proxmoxer 1.2 reads "errors" from inside "data", where Proxmox never puts it.
            check(error.status_code == 400 and "Parameter verification failed" in error.content,
                  "an unknown parameter is refused with 400 'Parameter verification failed.'")
    finally:
        process.terminate()
        process.wait(timeout=10)
    print("proxmoxer client: all checks passed")


if __name__ == "__main__":
    main()
