// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0
// Palisade node sensor: kernel side. CO-RE programs (vmlinux.h is generated from the running
// kernel's BTF by build.rs) that write fixed-layout records to one ring buffer. The record
// layout is `struct pal_event` below; crates/palisade-sensor/src/decode.rs reads it, field by
// field at the offsets written there. Keep both in step.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PAL_EXEC 1
#define PAL_EXIT 2
#define PAL_OPEN 3
#define PAL_CONNECT 4
#define PAL_PTRACE 5
#define PAL_MODULE 6
#define PAL_SETUID 7
#define PAL_KINDS 8

#define CG_NAME 128
#define PATH_LEN 256
#define ARGS_LEN 512
#define CWD_PARTS 8
#define CWD_PART 32

struct pal_event {
	u32 kind;          // 0
	u32 tgid;          // 4
	u32 pid;           // 8
	u32 ppid;          // 12
	u32 uid;           // 16
	u32 gid;           // 20
	u64 ts_ns;         // 24
	u64 cgroup_id;     // 32
	char comm[16];     // 40
	char pcomm[16];    // 56
	char cg[3][CG_NAME]; // 72: leaf, parent, grandparent cgroup names (memory hierarchy)
	// 456: per kind
	s64 a0;            // 456: exec: args length; exit: code; open: flags; connect: family;
	                   //      ptrace: request; module: syscall nr; setuid: new uid
	s64 a1;            // 464: connect: port; ptrace: target pid; module/open: mode
	u8 addr[16];       // 472: connect: address (4 bytes IPv4 or 16 bytes IPv6)
	char path[PATH_LEN]; // 488: exec: filename; open: path
	char args[ARGS_LEN]; // 744: exec: argv, NUL-separated
	char cwd[CWD_PARTS][CWD_PART]; // 1256: exec: working directory, last component first
};                     // 1512
_Static_assert(sizeof(struct pal_event) == 1512, "pal_event layout");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

// Ring buffer reserve failures, per event kind.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PAL_KINDS);
	__type(key, u32);
	__type(value, u64);
} drops SEC(".maps");

struct kernfs_node___old {
	struct kernfs_node *parent;
	const char *name;
};

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

static __always_inline void count_drop(u32 kind)
{
	u64 *n = bpf_map_lookup_elem(&drops, &kind);
	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline struct pal_event *reserve(u32 kind)
{
	struct pal_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(kind);
		return NULL;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u64 uid_gid = bpf_get_current_uid_gid();
	e->kind = kind;
	e->tgid = pid_tgid >> 32;
	e->pid = (u32)pid_tgid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	bpf_probe_read_kernel_str(e->pcomm, sizeof(e->pcomm), parent->comm);

	struct cgroup *cg = NULL;
	int memory = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (memory >= 0 && memory < 12)
		cg = BPF_CORE_READ(task, cgroups, subsys[memory], cgroup);
	if (!cg)
		cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	struct kernfs_node *kn = cg ? BPF_CORE_READ(cg, kn) : NULL;
	for (int i = 0; i < 3; i++) {
		e->cg[i][0] = 0;
		if (!kn)
			continue;
		const char *name = BPF_CORE_READ(kn, name);
		bpf_probe_read_kernel_str(e->cg[i], CG_NAME, name);
		kn = kn_parent(kn);
	}
	e->a0 = 0;
	e->a1 = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	e->path[0] = 0;
	e->args[0] = 0;
	return e;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pal_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pal_event *e = reserve(PAL_EXEC);
	if (!e)
		return 0;
	const char *filename = BPF_CORE_READ(bprm, filename);
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), filename);
	// The working directory's dentries up to the root of its mount (a cwd below a mount
	// point shows only the part inside that mount).
	struct dentry *d = BPF_CORE_READ(p, fs, pwd.dentry);
	for (int i = 0; i < CWD_PARTS; i++) {
		e->cwd[i][0] = 0;
		if (!d)
			continue;
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (parent == d) {
			d = NULL;
			continue;
		}
		bpf_probe_read_kernel_str(e->cwd[i], CWD_PART, BPF_CORE_READ(d, d_name.name));
		d = parent;
	}
	unsigned long start = BPF_CORE_READ(p, mm, arg_start);
	unsigned long end = BPF_CORE_READ(p, mm, arg_end);
	unsigned long len = end - start;
	if (len > ARGS_LEN)
		len = ARGS_LEN;
	if (bpf_probe_read_user(e->args, len, (void *)start) == 0)
		e->a0 = len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pal_exit, struct task_struct *p)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((u32)pid_tgid != (pid_tgid >> 32))
		return 0; // threads other than the leader
	struct pal_event *e = reserve(PAL_EXIT);
	if (!e)
		return 0;
	e->a0 = BPF_CORE_READ(p, exit_code) >> 8;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

// Opens below these prefixes (or with a write flag anywhere below /etc, /bin, /usr...) are
// reported; the rest are not worth the ring buffer space.
static __always_inline int interesting_path(const char *p)
{
	if (p[0] != '/')
		return 0;
	if (p[1] == 'e' && p[2] == 't' && p[3] == 'c' && p[4] == '/') {
		// /etc/ld.so.cache is opened by every dynamically linked exec.
		if (p[5] == 'l' && p[6] == 'd' && p[7] == '.' && p[8] == 's' && p[9] == 'o' && p[10] == '.' && p[11] == 'c')
			return 0;
		return 1;
	}
	if (p[1] == 'r' && p[2] == 'o' && p[3] == 'o' && p[4] == 't' && p[5] == '/')
		return 1;
	if (p[1] == 'v' && p[2] == 'a' && p[3] == 'r' && p[4] == '/' && p[5] == 'r' && p[6] == 'u' && p[7] == 'n')
		return 1;
	if (p[1] == 'r' && p[2] == 'u' && p[3] == 'n' && p[4] == '/')
		return 1;
	if (p[1] == 'p' && p[2] == 'r' && p[3] == 'o' && p[4] == 'c' && p[5] == '/' && p[6] == 's' && p[7] == 'y' && p[8] == 's')
		return 1;
	if (p[1] == 's' && p[2] == 'y' && p[3] == 's' && p[4] == '/' && p[5] == 'f' && p[6] == 's')
		return 1;
	if (p[1] == 'b' && p[2] == 'o' && p[3] == 'o' && p[4] == 't' && p[5] == '/')
		return 1;
	if (p[1] == 'd' && p[2] == 'e' && p[3] == 'v' && p[4] == '/' && p[5] == 'm' && p[6] == 'e' && p[7] == 'm')
		return 1;
	return 0;
}

static __always_inline int interesting_write(const char *p)
{
	if (p[0] != '/')
		return 0;
	if (p[1] == 'b' && p[2] == 'i' && p[3] == 'n' && p[4] == '/')
		return 1;
	if (p[1] == 's' && p[2] == 'b' && p[3] == 'i' && p[4] == 'n' && p[5] == '/')
		return 1;
	if (p[1] == 'u' && p[2] == 's' && p[3] == 'r' && p[4] == '/')
		return 1;
	if (p[1] == 'l' && p[2] == 'i' && p[3] == 'b')
		return 1;
	return 0;
}

static __always_inline int on_open(const char *upath, long flags, long mode)
{
	char buf[16] = {};
	if (bpf_probe_read_user_str(buf, sizeof(buf), upath) <= 0)
		return 0;
	int write = (flags & 3) != 0 || (flags & 0100) != 0; // O_WRONLY/O_RDWR, O_CREAT
	if (!interesting_path(buf) && !(write && interesting_write(buf)))
		return 0;
	struct pal_event *e = reserve(PAL_OPEN);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	e->a0 = flags;
	e->a1 = mode;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

// x86-64 system call numbers.
#define NR_open 2
#define NR_connect 42
#define NR_creat 85
#define NR_ptrace 101
#define NR_setuid 105
#define NR_setreuid 113
#define NR_setresuid 117
#define NR_init_module 175
#define NR_openat 257
#define NR_finit_module 313
#define NR_openat2 437

SEC("tp_btf/sys_enter")
int BPF_PROG(pal_sys_enter, struct pt_regs *regs, long id)
{
	unsigned long di = BPF_CORE_READ(regs, di);
	unsigned long si = BPF_CORE_READ(regs, si);
	unsigned long dx = BPF_CORE_READ(regs, dx);
	struct pal_event *e;
	switch (id) {
	case NR_open:
		return on_open((const char *)di, si, dx);
	case NR_creat:
		return on_open((const char *)di, 01101, si);
	case NR_openat:
		return on_open((const char *)si, dx, BPF_CORE_READ(regs, r10));
	case NR_openat2: {
		u64 flags = 0, mode = 0;
		bpf_probe_read_user(&flags, sizeof(flags), (void *)dx);
		bpf_probe_read_user(&mode, sizeof(mode), (void *)(dx + 8));
		return on_open((const char *)si, flags, mode);
	}
	case NR_connect: {
		u16 family = 0;
		if (bpf_probe_read_user(&family, sizeof(family), (void *)si))
			return 0;
		if (family != 2 && family != 10) // AF_INET, AF_INET6
			return 0;
		e = reserve(PAL_CONNECT);
		if (!e)
			return 0;
		u16 port = 0;
		bpf_probe_read_user(&port, sizeof(port), (void *)(si + 2));
		e->a0 = family;
		e->a1 = __builtin_bswap16(port);
		if (family == 2)
			bpf_probe_read_user(e->addr, 4, (void *)(si + 4));
		else
			bpf_probe_read_user(e->addr, 16, (void *)(si + 8));
		bpf_ringbuf_submit(e, 0);
		return 0;
	}
	case NR_ptrace:
		e = reserve(PAL_PTRACE);
		if (!e)
			return 0;
		e->a0 = di;
		e->a1 = si;
		bpf_ringbuf_submit(e, 0);
		return 0;
	case NR_init_module:
	case NR_finit_module:
		e = reserve(PAL_MODULE);
		if (!e)
			return 0;
		e->a0 = id;
		bpf_ringbuf_submit(e, 0);
		return 0;
	case NR_setuid:
	case NR_setreuid:
	case NR_setresuid:
		e = reserve(PAL_SETUID);
		if (!e)
			return 0;
		// setuid(uid), setreuid(ruid, euid), setresuid(ruid, euid, suid): the effective one.
		e->a0 = id == NR_setuid ? (s64)(int)di : (s64)(int)si;
		e->a1 = id;
		bpf_ringbuf_submit(e, 0);
		return 0;
	}
	return 0;
}
