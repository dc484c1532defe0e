//! What a built [`Reconstruction`] gives: the intact reference mesh and regions extracted
//! from it, element counts per region and surface areas.

use nalgebra::Vector3;
use osteon_mesh::geometry::outward_area_vector;
use osteon_mesh::{FaceRef, Mesh, Surface};

use super::{Reconstruction, Region};
use crate::error::BiomechError;

impl Reconstruction {
    /// The intact reference mesh: the first `n_intact_nodes` nodes and `n_intact_elements`
    /// elements, the defect ring counted as cortical bone, with the same plateau, distal and
    /// docking sets (no flange or screw sets).
    pub fn intact_mesh(&self) -> Result<Mesh, BiomechError> {
        let mut mesh = Mesh::new();
        for i in 0..self.n_intact_nodes {
            mesh.add_node(self.mesh.node_ids[i], self.mesh.coords[i])?;
        }
        for e in 0..self.n_intact_elements {
            let el = self.mesh.element(e);
            mesh.push_element(el.etype, el.id, el.nodes)?;
        }
        let regions = self.intact_regions();
        let cortical: Vec<usize> = (0..self.n_intact_elements)
            .filter(|&e| regions[e] == Region::Cortical)
            .collect();
        let cancellous: Vec<usize> = (0..self.n_intact_elements)
            .filter(|&e| regions[e] == Region::Cancellous)
            .collect();
        mesh.set_element_set("CORTICAL", cortical);
        mesh.set_element_set("CANCELLOUS", cancellous);
        mesh.set_element_set("BONE", (0..self.n_intact_elements).collect());
        for name in [
            "PLATEAU_MEDIAL",
            "PLATEAU_LATERAL",
            "DISTAL_END",
            "DISTAL_DOCKING",
            "PROXIMAL_DOCKING",
        ] {
            mesh.set_node_set(name, self.mesh.node_set(name)?.to_vec());
            mesh.surfaces
                .insert(name.to_string(), self.mesh.surface(name)?.clone());
        }
        for set in ["FLANGE_BONE", "SCREW_HOLES"] {
            if let Ok(nodes) = self.mesh.node_set(set) {
                mesh.set_node_set(set, nodes.to_vec());
            }
        }
        Ok(mesh)
    }

    /// Regions of the intact model's elements: the defect elements get back the bone region
    /// they replace (cortical for the parametric defect ring).
    pub fn intact_regions(&self) -> Vec<Region> {
        let mut r = self.regions[..self.n_bone_elements].to_vec();
        r.extend_from_slice(&self.defect_bone_regions);
        r
    }

    /// Number of elements per region: (cortical, cancellous, implant, flange, screws).
    pub fn region_counts(&self) -> [usize; 5] {
        let mut c = [0; 5];
        for r in &self.regions {
            let i = match r {
                Region::Cortical => 0,
                Region::Cancellous => 1,
                Region::Implant => 2,
                Region::Flange => 3,
                Region::Screw(_) => 4,
            };
            c[i] += 1;
        }
        c
    }

    /// Total area (mm²) of a face surface of the mesh (by the face load rule).
    pub fn surface_area(&self, name: &str) -> Result<f64, BiomechError> {
        let Surface::Faces(faces) = self.mesh.surface(name)? else {
            return Ok(0.0);
        };
        Ok(faces_area(&self.mesh, faces))
    }
}

/// Area (mm²) of element faces by the face load rule.
pub fn faces_area(mesh: &Mesh, faces: &[FaceRef]) -> f64 {
    faces
        .iter()
        .map(|f| {
            let el = mesh.element(f.element);
            let x = mesh.element_coords(f.element);
            el.etype
                .face_type()
                .load_rule()
                .iter()
                .map(|(st, w)| {
                    let (_, a) = outward_area_vector(
                        el.etype,
                        f.face as usize,
                        &x[..el.etype.n_nodes()],
                        [st[0], st[1]],
                    )
                    .unwrap_or_default();
                    w * Vector3::from(a).norm()
                })
                .sum::<f64>()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::{build_reconstruction, coarse};
    use crate::geometry::TibiaGeometry;
    use crate::merge::NodeMerger;
    use crate::spec::{DefectSpec, ImplantSpec};

    #[test]
    fn the_intact_mesh_is_a_prefix_and_every_part_is_connected() {
        let rec = build_reconstruction(
            &TibiaGeometry::default(),
            &DefectSpec::default(),
            &ImplantSpec::default(),
            &coarse(),
        )
        .expect("builds");
        let intact = rec.intact_mesh().expect("intact");
        assert_eq!(intact.n_elements(), rec.n_intact_elements);
        for e in 0..intact.n_elements() {
            assert_eq!(intact.element(e).nodes, rec.mesh.element(e).nodes);
        }
        assert!(
            rec.mesh
                .element(rec.n_intact_elements)
                .nodes
                .iter()
                .all(|&n| n >= rec.n_intact_nodes)
        );
        // the ring is closed: no duplicated nodes in the bone
        let mut m = NodeMerger::new(1e-6);
        for x in &intact.coords {
            m.insert(*x);
        }
        assert_eq!(m.len(), intact.n_nodes());
        let [cort, canc, imp, fl, sc] = rec.region_counts();
        assert!(cort > 0 && canc > 0 && imp > 0 && fl > 0 && sc > 0);
        // every flange inner node is tied, every screw anchored in flange and bone
        let tie = rec.tie.as_ref().expect("tie");
        assert!(
            tie.too_far.is_empty() && tie.tied > 0 && tie.max_distance < 1e-3,
            "{tie:?}"
        );
        assert_eq!(rec.screws.len(), 4);
        for s in &rec.screws {
            assert!(
                s.embedded_in_flange > 0 && s.embedded_in_bone > 0 && s.free > 0,
                "{s:?}"
            );
            // drilled: the hole's rim on the periosteum is on both walls
            assert!(s.embedded_in_flange + s.embedded_in_bone + s.free > s.n_nodes);
            assert!(s.embedded_in_bone + s.free < s.n_nodes);
        }
        assert_eq!(rec.interfaces.len(), 4);
        assert!(rec.interfaces.iter().all(|i| !i.nodes.is_empty()));
        // the defect does not fit a flare
        let long = DefectSpec {
            length_mm: 300.0,
            center_mm: None,
        };
        assert!(
            build_reconstruction(
                &TibiaGeometry::default(),
                &long,
                &ImplantSpec::default(),
                &coarse()
            )
            .is_err()
        );
    }
}
