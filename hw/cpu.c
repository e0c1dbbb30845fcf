/* hw/cpu.c: SMT siblings among the host's CPUs, and the guest topology that vCPU pins on
 * them give; the topology check and the plan's derived topology both ask here. */
#include "hw/hw.h"

bool hw_smt_siblings(const struct hw *hw, unsigned a, unsigned b)
{
	const struct hw_cpu *c = hw_find_cpu(hw, a);
	if (!c || a == b)
		return false;
	for (size_t i = 0; i < c->siblings.n; i++)
		if (c->siblings.cpu[i] == b)
			return true;
	return false;
}

size_t hw_pin_split(const struct hw *hw, const struct cpulist *pin, unsigned t)
{
	for (size_t b = 0; b + t <= pin->n; b += t)
		for (size_t i = b; i < b + t; i++)
			for (size_t j = i + 1; j < b + t; j++)
				if (!hw_smt_siblings(hw, pin->cpu[i], pin->cpu[j]))
					return b;
	return pin->n;
}

unsigned hw_pin_threads(const struct hw *hw, const struct cpulist *pin)
{
	const struct hw_cpu *c = pin->n ? hw_find_cpu(hw, pin->cpu[0]) : NULL;
	for (unsigned t = c ? (unsigned)c->siblings.n : 1; t > 1; t--)
		if (pin->n % t == 0 && hw_pin_split(hw, pin, t) == pin->n)
			return t;
	return 1;
}
