//! Loose solid: keep the largest face-connected piece of a periodic voxel cell.
//!
//! Voxels that touch the rest only along an edge or at a corner, and islands floating in
//! the pores, carry no load but make the micro-FE system singular (their rigid motions are
//! free). Printed lattices lose such fragments as unfused powder, so they are removed
//! before homogenisation and the porosity is reported after the removal.

/// Keeps the largest 6-connected (shared face, periodic) component of the solid
/// (`phase ≠ 0`) and turns every other solid voxel into pore. Returns the number of voxels
/// removed.
pub fn keep_largest_component(resolution: usize, phase: &mut [u8]) -> usize {
    let n = resolution;
    let mut label = vec![u32::MAX; phase.len()];
    let mut sizes: Vec<usize> = Vec::new();
    let mut stack = Vec::new();
    for seed in 0..phase.len() {
        if phase[seed] == 0 || label[seed] != u32::MAX {
            continue;
        }
        let id = sizes.len() as u32;
        let mut size = 0;
        label[seed] = id;
        stack.push(seed);
        while let Some(v) = stack.pop() {
            size += 1;
            for w in face_neighbours(n, v) {
                if phase[w] != 0 && label[w] == u32::MAX {
                    label[w] = id;
                    stack.push(w);
                }
            }
        }
        sizes.push(size);
    }
    let Some(keep) = (0..sizes.len()).max_by_key(|&i| sizes[i]) else {
        return 0;
    };
    let mut removed = 0;
    for (p, &l) in phase.iter_mut().zip(&label) {
        if *p != 0 && l != keep as u32 {
            *p = 0;
            removed += 1;
        }
    }
    removed
}

/// The six face neighbours of voxel `v`, wrapped periodically.
fn face_neighbours(n: usize, v: usize) -> [usize; 6] {
    let (i, j, k) = (v % n, (v / n) % n, v / (n * n));
    let at = |a: usize, b: usize, c: usize| a + n * (b + n * c);
    let (ip, im) = ((i + 1) % n, (i + n - 1) % n);
    let (jp, jm) = ((j + 1) % n, (j + n - 1) % n);
    let (kp, km) = ((k + 1) % n, (k + n - 1) % n);
    [
        at(ip, j, k),
        at(im, j, k),
        at(i, jp, k),
        at(i, jm, k),
        at(i, j, kp),
        at(i, j, km),
    ]
}
