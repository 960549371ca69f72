//! Geometry of the theatre: distances between places given by latitude and longitude.
//! Plain maths on plain numbers, used by the scenario (to plan routes across country) and the
//! engine alike. Transcendental functions come from the `libm` crate, not the platform's
//! maths library, whose last bits differ between systems: every distance, and so every draw
//! that depends on one, is the same on every machine.

/// The Earth's mean radius, as the haversine formula takes it.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// Great-circle distance in km between two points given in degrees (haversine formula).
pub fn great_circle_km(lat_a: f64, lon_a: f64, lat_b: f64, lon_b: f64) -> f64 {
    let (la, lb) = (lat_a.to_radians(), lat_b.to_radians());
    let dlat = lb - la;
    let dlon = (lon_b - lon_a).to_radians();
    let half_dlat = libm::sin(dlat / 2.0);
    let half_dlon = libm::sin(dlon / 2.0);
    let h = half_dlat * half_dlat + libm::cos(la) * libm::cos(lb) * half_dlon * half_dlon;
    2.0 * EARTH_RADIUS_KM * libm::asin(h.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gao_to_kidal_is_about_285_km_as_the_crow_flies() {
        // Gao (16.27 N, 0.04 W) to Kidal (18.44 N, 1.41 E): 285 km on a great circle, as
        // published geodesic calculators give it to within a kilometre.
        let km = great_circle_km(16.2717, -0.0447, 18.4411, 1.4078);
        assert!((km - 285.0).abs() < 3.0, "{km}");
    }

    #[test]
    fn a_point_is_at_zero_distance_from_itself_and_distance_is_symmetric() {
        assert_eq!(great_circle_km(18.0, 1.0, 18.0, 1.0), 0.0);
        let ab = great_circle_km(16.0, 0.0, 18.5, 1.5);
        let ba = great_circle_km(18.5, 1.5, 16.0, 0.0);
        assert_eq!(ab, ba);
    }

    #[test]
    fn a_quarter_meridian_is_a_quarter_of_the_circumference() {
        let km = great_circle_km(0.0, 0.0, 90.0, 0.0);
        let quarter = std::f64::consts::PI * EARTH_RADIUS_KM / 2.0;
        assert!((km - quarter).abs() < 1e-9, "{km} vs {quarter}");
    }
}
