/* hw/sysfs_extra.c: the per-device sysfs files libpci does not read (the iommu_group, driver and
 * physfn links, reset_method, numa_node), read on a second thread while libpci reads its
 * own. Half of a probe's system calls are these; on two cores the two halves overlap. The
 * thread shares nothing: it has its own arena and diagnostics, handed over at the end.
 * Under a confined root (no libpci), a job also reads each device's own facts
 * (hw/sysfs_pci.c) through the same folder descriptor, and the probe splits the devices
 * between two jobs, one on this thread and one on another. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw/sysfs_read.h"

struct hw_extra_job {
	struct hw_reader r;       /* root, and this job's own arena and diagnostics */
	struct arena arena;
	struct hw_devpath dev;
	struct pci_addr *addr;
	struct hw_extra *out;
	struct hw_fill *fill;     /* NULL, or each device's own facts to read first */
	struct diags *fill_ds;    /* scratch for what reading one device's facts reports */
	size_t n;
	pthread_t thread;
	bool threaded;
};

static void read_one(struct hw_extra_job *job, size_t i)
{
	struct hw_reader *r = &job->r;
	struct hw_devpath *dp = &job->dev;
	struct hw_extra *x = &job->out[i];
	long v;
	if (job->fill) {  /* the device's own facts, through the same folder descriptor */
		struct hw_fill *f = &job->fill[i];
		struct diags *ds = r->ds;
		r->ds = job->fill_ds;
		f->ok = hw_sysfs_fill(r, &f->raw, &f->h, f->msg, sizeof(f->msg), &f->err);
		r->ds = ds;
		if (diags_count(job->fill_ds, SEV_SYSTEM) + diags_count(job->fill_ds, SEV_ERROR) +
		    diags_count(job->fill_ds, SEV_WARNING) + diags_count(job->fill_ds, SEV_NOTE)) {
			f->ds = job->fill_ds;  /* rare: a file there but unreadable */
			job->fill_ds = diags_new();
		}
	}
	hwr_devpath_at(dp, &job->addr[i]);
	/* Not checked for dangling here: hw/probe.c checks each distinct group and driver. */
	x->iommu_group = hw_group_number(hwr_link_at(r, hwr_devpath_file(dp, "iommu_group"), false));
	x->driver = hwr_link_at(r, hwr_devpath_file(dp, "driver"), false);
	x->reset_methods = hwr_text_at(r, hwr_devpath_file(dp, "reset_method"));
	x->numa_node = hw_parse_long(hwr_text_at(r, hwr_devpath_file(dp, "numa_node")), 10, &v) &&
		v >= 0 && v <= 0xffff ? (int)v : -1;
	const char *pf = hwr_link_at(r, hwr_devpath_file(dp, "physfn"), true);
	x->is_vf = pf && pci_addr_parse(pf, &x->physfn);
}

static void *run(void *arg)
{
	struct hw_extra_job *job = arg;
	hwr_devpath_init(&job->dev, &job->r);
	for (size_t i = 0; i < job->n; i++)
		read_one(job, i);
	return NULL;
}

struct hw_extra_job *hw_extra_start(const char *root, int rootfd, const struct pci_addr *addr,
				    size_t n, struct hw_fill *fill, bool thread)
{
	struct hw_extra_job *job = xcalloc(1, sizeof(*job));
	hwr_init(&job->r, root, rootfd, &job->arena, diags_new());
	job->addr = xmalloc_array(n, sizeof(*addr));
	if (n)
		memcpy(job->addr, addr, n * sizeof(*addr));
	job->out = xcalloc(n, sizeof(*job->out));
	job->n = n;
	job->fill = fill;
	job->fill_ds = fill ? diags_new() : NULL;
	job->threaded = thread && pthread_create(&job->thread, NULL, run, job) == 0;
	if (!job->threaded)  /* no thread to be had: the same work, in line */
		run(job);
	return job;
}

struct hw_extra *hw_extra_finish(struct hw_extra_job *job, struct arena *a, struct diags *ds)
{
	if (job->threaded)
		pthread_join(job->thread, NULL);
	struct hw_extra *out = job->out;
	arena_adopt(a, &job->arena);
	diags_move(ds, job->r.ds);
	diags_free(job->r.ds);
	if (job->fill_ds)
		diags_free(job->fill_ds);
	hwr_fini(&job->r);
	hwr_devpath_free(&job->dev);
	free(job->addr);
	free(job);
	return out;
}
