"""osteon.ct against independent results: the volume read against pydicom (pixel for pixel,
spacing, origin), the pipeline against the `osteon ct` command line (identical files and
arrays), and the element moduli against the closed form of the default law (Morgan 2003
femoral neck, E = 6850 ρ_app^1.49 MPa; ρ_QCT = 0.0008 HU, ρ_ash = 0.877 ρ_QCT + 0.079,
ρ_app = ρ_ash / 0.6 g/cm³: docs/imaging.md §2) on the pydicom HU."""

import subprocess

import numpy as np
import pytest

import osteon
from conftest import read_vtu

pydicom = pytest.importorskip("pydicom")
from pydicom.data import get_testdata_file  # noqa: E402

CT_SMALL = get_testdata_file("CT_small.dcm")


def pydicom_hu():
    ds = pydicom.dcmread(CT_SMALL)
    hu = ds.pixel_array.astype(float) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    return ds, hu


def test_read_matches_pydicom():
    ds, hu = pydicom_hu()
    v = osteon.ct.read(CT_SMALL)
    assert v.hu.shape == (1, ds.Rows, ds.Columns)
    assert v.dims == (ds.Columns, ds.Rows, 1)
    np.testing.assert_array_equal(v.hu[0].astype(float), hu)
    # PixelSpacing is (row spacing, column spacing): along j, then along i
    assert [v.spacing[1], v.spacing[0]] == [float(x) for x in ds.PixelSpacing]
    assert list(v.origin) == [float(x) for x in ds.ImagePositionPatient]
    # the affine puts voxel (i, j) at origin + i·Δc·row direction + j·Δr·column direction
    iop = np.array([float(x) for x in ds.ImageOrientationPatient])
    expected = (
        np.array([float(x) for x in ds.ImagePositionPatient])
        + 5 * float(ds.PixelSpacing[1]) * iop[:3]
        + 7 * float(ds.PixelSpacing[0]) * iop[3:]
    )
    np.testing.assert_allclose(v.world(5, 7, 0), expected, rtol=0, atol=1e-9)
    assert not v.hu.flags.writeable


def test_read_a_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(osteon.InputError, match="no such file or folder"):
        osteon.ct.read(tmp_path / "nothing")


def test_a_medium_with_several_series_is_listed_and_one_is_named():
    """pydicom's dicomdirtests medium: its scout is set aside, its two CT volumes listed;
    series number 5 (98892001/CT5N) reads with pydicom's HU, slices along +z."""
    import os

    root = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files", "dicomdirtests")
    if not os.path.isfile(os.path.join(root, "DICOMDIR")):
        pytest.skip("pydicom's dicomdirtests medium is not installed")
    with pytest.raises(osteon.InputError, match="2 CT series"):
        osteon.ct.read(root)
    v = osteon.ct.read(root, series="5")
    folder = os.path.join(root, "98892001", "CT5N")
    slices = sorted(
        (pydicom.dcmread(os.path.join(folder, f)) for f in os.listdir(folder)),
        key=lambda d: float(d.ImagePositionPatient[2]),
    )
    hu = np.stack(
        [d.pixel_array.astype(float) * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in slices]
    )
    assert v.hu.shape == hu.shape
    np.testing.assert_array_equal(v.hu.astype(float), hu)


def test_moduli_follow_the_closed_form_on_the_pydicom_values():
    _, hu = pydicom_hu()
    m = osteon.ct.build(CT_SMALL)
    assert m.voxels_per_element == 1 and m.elements.shape == (len(m.hu), 8)
    v = m.volume
    # each element is one voxel: its centroid is the voxel centre
    centroid = m.nodes[m.elements].mean(axis=1)
    inv = np.linalg.inv(v.affine)
    ijk = np.rint((inv[:3, :3] @ centroid.T).T + inv[:3, 3]).astype(int)
    voxel_hu = hu[ijk[:, 1], ijk[:, 0]]
    np.testing.assert_array_equal(m.hu, voxel_hu)
    assert (voxel_hu >= 700).all()  # the default threshold
    rho = (0.877 * (0.0008 * voxel_hu) + 0.079) / 0.6
    np.testing.assert_allclose(m.density, rho, rtol=1e-14)
    np.testing.assert_allclose(m.modulus, np.maximum(1.0, 6850.0 * rho**1.49), rtol=1e-12)
    # the model's materials are the binned moduli, one section per bin
    assert len(m.material_moduli) <= 20
    rel = np.abs(m.material_moduli[m.material] - m.modulus) / m.modulus
    assert rel.max() <= m.max_binning_error + 1e-15
    assert m.model.n_elements == len(m.hu)


CASES = {
    "defaults": ([], {}),
    "options": (
        ["--threshold", "300", "--cancellous", "100", "--roi", "20:110,10:,:",
         "--element-size", "1.4", "--materials", "5", "--law", "morgan-tibia",
         "--calibration", "0.0007,0.01"],
        dict(threshold=300.0, cancellous=100.0, roi=(slice(20, 110), (10, None), slice(None)),
             element_size=1.4, materials=5, law="morgan-tibia", calibration=(0.0007, 0.01)),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_writes_what_the_command_line_writes(osteon_cli, tmp_path, case):
    flags, kwargs = CASES[case]
    cli_out, py_out = tmp_path / "cli", tmp_path / "py"
    subprocess.run(
        [osteon_cli, "ct", CT_SMALL, "-o", str(cli_out), "--quiet", *flags],
        check=True,
        capture_output=True,
    )
    m = osteon.ct.build(CT_SMALL, py_out, **kwargs)
    for name in ("bone.inp", "bone.vtu", "bone.stl"):
        assert (py_out / name).read_bytes() == (cli_out / name).read_bytes(), name
    assert m.files == {k: str(py_out / f"bone.{k}") for k in ("inp", "vtu", "stl")}
    vtu = read_vtu(cli_out / "bone.vtu")
    np.testing.assert_array_equal(vtu["youngs_modulus"], m.modulus)
    np.testing.assert_array_equal(vtu["density"], m.density)
    np.testing.assert_array_equal(vtu["hu"], m.hu)
    np.testing.assert_array_equal(vtu["region"], m.region)
    np.testing.assert_array_equal(vtu["Points"], m.nodes)


def test_the_ct_model_solves_in_equilibrium():
    m = osteon.ct.build(CT_SMALL, threshold=300.0)
    r = osteon.solve(m.model, threads=2)
    total = r.reactions[m.node_sets["DISTAL"]].sum(axis=0)
    # one body weight, 686.7 N, along the bone's long axis, held by the clamped DISTAL nodes
    assert np.linalg.norm(total) == pytest.approx(686.7, rel=1e-9)


def test_bad_arguments_name_themselves():
    with pytest.raises(osteon.InputError, match="law|unknown"):
        osteon.ct.build(CT_SMALL, law="nonsense")
    with pytest.raises(ValueError, match="materials"):
        osteon.ct.build(CT_SMALL, materials=0)
    with pytest.raises(ValueError, match="roi"):
        osteon.ct.build(CT_SMALL, roi=(slice(0, 5), slice(0, 5)))
    with pytest.raises(osteon.InputError, match="element size"):
        osteon.ct.build(CT_SMALL, element_size=-1.0)
